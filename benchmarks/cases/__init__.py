"""Casos de latencia: un módulo por sección, cada uno con ``CASES = {nombre: función}``."""
