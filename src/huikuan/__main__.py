"""`python -m huikuan` is the `huikuan` command."""

from huikuan.cli.main import main

main()
