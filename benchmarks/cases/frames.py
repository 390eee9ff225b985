"""Recálculos de la sección «Fotogramas»: cada deslizador, en su peor caso."""

from demos import frames

CASES = {
    "animación a 60 fps": lambda: frames.frames_html(60),
    "onda con 100 muestras (dos gráficos)": lambda: frames.sampling_html(100),
    "onda con 7 muestras (dos gráficos)": lambda: frames.sampling_html(7),
    "imagen de 128×128 píxeles, 8 bits": lambda: frames.image_html(128, 8),
    "imagen de 16×16 píxeles, 2 bits": lambda: frames.image_html(16, 2),
}
