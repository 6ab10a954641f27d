"""`python -m composer` is the `thread-composer` command."""

from composer.cli import main

if __name__ == "__main__":
    main()
