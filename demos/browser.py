"""``python -m demos.browser``: revisar el taller en Chromium. El código vive en ``demos/aula/``."""

import sys

from demos.aula.review import main

if __name__ == "__main__":
    sys.exit(main())
