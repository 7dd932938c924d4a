"""Scores observed on the seed-era engine (arcadedb-embedded 26.2.1), reference-notes section 15.

Query [1.0, 0.2, 0.1] against six vectors, k=6, through ``create_vector_index(...,
quantization=...)`` + ``find_nearest``; values as printed there (rounded to 6 places), in the
engine's result order. BINARY results are only those the engine returned.
"""

QUERY = [1.0, 0.2, 0.1]
VECTORS = {
    "x": [1.0, 0.0, 0.0],
    "y": [0.0, 1.0, 0.0],
    "d": [1.0, 1.0, 0.0],
    "neg": [-1.0, 0.0, 0.0],
    "big": [2.0, 0.5, 0.25],
    "z": [0.0, 0.0, 3.0],
}
OBSERVED = {
    ("COSINE", "NONE"): [("big", 0.000691), ("x", 0.01205), ("d", 0.085961), ("y", 0.40241),
                         ("z", 0.451205), ("neg", 0.98795)],
    ("COSINE", "INT8"): [("big", 0.000659), ("x", 0.01205), ("d", 0.085961), ("y", 0.40241),
                         ("z", 0.451205), ("neg", 0.98795)],
    ("COSINE", "BINARY"): [("d", 0.085961), ("big", 0.085961)],
    ("EUCLIDEAN", "NONE"): [("x", 0.952381), ("d", 0.606061), ("big", 0.473373), ("y", 0.377358),
                            ("neg", 0.19802), ("z", 0.095694)],
    ("EUCLIDEAN", "INT8"): [("x", 0.952381), ("d", 0.606061), ("big", 0.473767), ("y", 0.377358),
                            ("neg", 0.19802), ("z", 0.095694)],
    ("EUCLIDEAN", "BINARY"): [("big", 0.740741), ("d", 0.606061)],
    ("DOT_PRODUCT", "NONE"): [("big", -1.5625), ("d", -1.1), ("x", -1.0), ("z", -0.65),
                              ("y", -0.6), ("neg", -0.0)],
    ("DOT_PRODUCT", "INT8"): [("big", -1.562206), ("d", -1.1), ("x", -1.0), ("z", -0.65),
                              ("y", -0.6), ("neg", -0.0)],
    ("DOT_PRODUCT", "BINARY"): [("d", -1.1), ("big", -0.8)],
}
