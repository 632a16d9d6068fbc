"""Azure through the official SDK clients: catalogue look-ups, one converging function per
provisioning step, teardown by tags, and error translation. Clients come from
``wizard.environment.Environment`` (real Azure or the stand-in); every azure.* import is lazy."""
