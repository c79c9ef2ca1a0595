"""Q-values of a batchq tree bundle through XGBoost's C API, with nothing but Python, numpy and an XGBoost shared
library (libxgboost.so from any XGBoost install, or libxgboost4j.so from the XGBoost4J jar).

This is the loader the `xgboost` Python package itself calls (XGBoosterLoadModel): it shows that the bundle's
files are plain XGBoost models. Usage: python3 qvalues_c_api.py LIBRARY BUNDLE [x x_dot theta theta_dot ...]
"""
import ctypes
import json
import sys

import numpy as np

lib = ctypes.CDLL(sys.argv[1])
bundle = sys.argv[2]
manifest = json.load(open(f"{bundle}/manifest.json"))
A, d = manifest["action_count"], manifest["observation_size"]
obs = np.array([float(v) for v in sys.argv[3:]] or [0.01, 0.0, -0.02, 0.0], dtype=np.float32).reshape(-1, d)


def check(status):
    if status != 0:
        raise RuntimeError(lib.XGBGetLastError().decode())


lib.XGBGetLastError.restype = ctypes.c_char_p


def booster(path):
    handle = ctypes.c_void_p()
    check(lib.XGBoosterCreate(None, ctypes.c_uint64(0), ctypes.byref(handle)))
    check(lib.XGBoosterLoadModel(handle, path.encode()))
    return handle


def predict(handle, x):
    x = np.ascontiguousarray(x, dtype=np.float32)
    matrix = ctypes.c_void_p()
    check(lib.XGDMatrixCreateFromMat(x.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), ctypes.c_uint64(x.shape[0]),
                                     ctypes.c_uint64(x.shape[1]), ctypes.c_float(np.nan), ctypes.byref(matrix)))
    shape, dim, out = ctypes.POINTER(ctypes.c_uint64)(), ctypes.c_uint64(), ctypes.POINTER(ctypes.c_float)()
    config = json.dumps({"type": 0, "training": False, "iteration_begin": 0, "iteration_end": 0, "strict_shape": False})
    check(lib.XGBoosterPredictFromDMatrix(handle, matrix, config.encode(), ctypes.byref(shape), ctypes.byref(dim),
                                          ctypes.byref(out)))
    result = np.ctypeslib.as_array(out, shape=(x.shape[0],)).copy()
    lib.XGDMatrixFree(matrix)
    return result


if manifest["algorithm"] == "multiple":
    q = np.stack([predict(booster(f"{bundle}/q-action-{a}.json"), obs) for a in range(A)], axis=1)
else:  # single: the observation followed by one-hot(action)
    b = booster(f"{bundle}/q.json")
    q = np.stack([predict(b, np.hstack([obs, np.tile(np.eye(A, dtype=np.float32)[a], (len(obs), 1))]))
                  for a in range(A)], axis=1)
print(q)
