"""One router per concern: REST assessment and health, CDS Hooks (the web page is web's)."""
