"""``python -m demos.handout``: el apunte de la clase. El código vive en ``demos/aula/handout.py``."""

import sys

from demos.aula.handout import main

if __name__ == "__main__":
    sys.exit(main())
