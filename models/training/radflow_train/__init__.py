"""radflow model trainer: Rad-Phi2 style dataset builders, a small decoder, ONNX export (Optimum decoder-with-past)."""
