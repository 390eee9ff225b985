"""El significado de las palabras, aprendido solo con texto: vectores de palabras de El Quijote.

La idea (la «hipótesis distribucional»): *una palabra se conoce por las palabras que la acompañan*.
En El Quijote, «hambre» y «sed» aparecen cerca de las mismas palabras: «frío», «calor»,
«cansancio», «padecer»… Si describimos cada palabra por sus vecinas, las palabras que se usan
parecido quedan descritas parecido. Nadie le dice al programa qué significa nada: solo cuenta.

Los pasos, todos con NumPy:

1. **Palabras**: partimos el texto en palabras, en minúsculas («Rocinante» y «rocinante» son la misma).
2. **Vocabulario**: las 3.000 palabras más frecuentes, sin las palabras funcionales («de», «que», «la»…).
3. **Conteo**: para cada palabra, cuántas veces aparece cada otra palabra cerca (hasta 6 a cada lado;
   la de al lado cuenta 1, la siguiente ½, la otra ⅓…).
4. **PPMI**: convertimos los conteos en «¿aparecen juntas más de lo que esperaríamos por azar?».
   Así «de», que está cerca de todo, deja de pesar más que «lanza».
5. **SVD**: resumimos cada fila de 3.000 conteos en 100 números: el vector de la palabra.
6. **Coseno**: dos palabras se parecen si sus vectores apuntan hacia el mismo lado.

El cálculo tarda unos segundos: se hace una sola vez y queda guardado en la caché del usuario
(``~/.cache/taller-chatgpt/``), así que la diapositiva responde al instante.

Uso: ``python -m demos.words rey hambre Rocinante`` (``-n 12`` para ver 12 vecinas en vez de 8).

Cada archivo, una pieza::

    vectors.py    de texto a vectores: palabras, vocabulario, conteo, PPMI, SVD; WordVectors busca y explica
    cache.py      la caché en memoria y en disco, El Quijote (quijote_vectors) y la pregunta de la sala (neighbours)
    views.py      lo que se ve en las diapositivas: las vecinas como barras (HTML o altair) y el mapa de palabras
    __main__.py   la terminal: python -m demos.words -n 12 rey hambre Rocinante
"""

from __future__ import annotations

from demos.words.cache import neighbours, quijote_vectors
from demos.words.vectors import EXAMPLES, NEIGHBOURS, Answer, WordVectors
from demos.words.views import MAP_GROUPS, map_chart, map_points, neighbours_chart, neighbours_html

# lo que usan la presentación (``words.<nombre>``), el benchmark y las pruebas
__all__ = ["EXAMPLES", "MAP_GROUPS", "NEIGHBOURS", "Answer", "WordVectors", "map_chart", "map_points",
           "neighbours", "neighbours_chart", "neighbours_html", "quijote_vectors"]
