"""Las herramientas de la sala: nada de esto es el taller en sí, sino lo que ayuda a darlo.

- ``cli.py``: la línea de comandos en castellano (``argparse`` con sus mensajes traducidos);
- ``concurrency.py``: diez navegadores a la vez no se pisan (importar y compilar, de a uno);
- ``browser.py``: recorre la presentación en Chromium (errores, lo que no cabe, letra chica, fotos);
- ``handout.py``: el apunte para llevarse a casa (HTML sin notas y PDF que se abre sin internet);
- ``pdf.py``: el PDF del apunte: cada diapositiva fotografiada en Chromium sin red, una página por foto.
"""
