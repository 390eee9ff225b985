"""Las perillas del chat: plazos, límites y valores por defecto, todos en un solo lugar.

Los demás archivos las leen como ``knobs.NOMBRE`` en el momento de usarlas (no las copian al
importarse): así una prueba, o quien presenta, puede cambiar un plazo aquí y vale para todo el chat.
"""

MAX_NEW_CHARS = 400  # ¿cuánto escribe un modelo incluido como máximo por respuesta?
CONNECT_SECONDS = 3.0  # ¿cuánto esperamos a que un servidor acepte la conexión?
FIRST_DELTA_SECONDS = 8.0  # ¿cuánto esperamos el primer pedazo de respuesta?
STALL_SECONDS = 5.0  # ¿cuánto silencio aguantamos a mitad de una respuesta?
SLOW_CHECK_SECONDS = 6.0  # tras el primer pedazo, ¿cuánto esperamos antes de juzgar la velocidad?
MIN_CHARS_PER_SECOND = 3.0  # ¿qué velocidad mínima aceptamos? (una persona lee ~15 caracteres/s)
TURN_SECONDS = 9.0  # plazo de un turno completo (sondeo, resumen y respuesta) para mostrar algo: < 10 s
PROBE_SECONDS = 1.0  # ¿cuánto esperamos al preguntar «¿estás ahí?» a un servidor?
LOCAL_BATCH_SECONDS = 0.01  # el modelo incluido junta sus caracteres de a 10 ms antes de pasarlos
GATHER_SECONDS = 0.03  # el chat muestra el texto en pedazos de ~30 ms: se ve fluir y marimo dibuja menos
MAX_SENT_CHARS = 8_000  # ¿cuántos caracteres por mensaje mandamos, como máximo, a una API que se paga?
DEFAULT_OLLAMA_HOST = "127.0.0.1:11434"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
