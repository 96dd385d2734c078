"""The bundled spec, shipped with onebot-gen as package data (the YAML files beside this one)."""
