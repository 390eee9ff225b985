"""Recálculos de la sección «Entrenamiento» que no entrenan (el entrenamiento se mide aparte)."""

from demos import model, training

_gpt, _tok = model.load_pretrained()

CASES = {
    "mapa de calor de una matriz de pesos": lambda: training.weight_chart(_gpt),
    "comparación de tamaños": lambda: training.size_chart({"QuijoteGPT": model.count_parameters(_gpt)}).to_dict(),
}
