"""FHIR R4 / mCODE and CDS Hooks mapping: plain data in, plain data out, no network."""
