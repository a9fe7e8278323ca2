"""The `huikuan` command: thin Typer commands over the packages' services."""
