"""Code both apps share: roles, API errors, geometry, locale. It imports neither app."""
