"""onebot-gen: generates a typed OneBot 11 / NapCat client and its docs from a YAML spec."""
