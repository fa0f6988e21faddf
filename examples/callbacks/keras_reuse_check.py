"""Check the first training step of a Keras model for unsafe layer reuse while it trains.

    python examples/callbacks/keras_reuse_check.py

The model shares one BatchNormalization between two branches (LL002): the callback logs the
finding with the builder's lines and, with raise_on_error=True, stops `fit` with UnsafeReuseError.
"""

import logging

import numpy as np
import keras

import layerlint.keras
from layerlint.runtime import UnsafeReuseError, recording_builds


def build_model():
    inputs = keras.Input((12,))
    norm = keras.layers.BatchNormalization()
    left = norm(keras.layers.Dense(8)(inputs))
    right = norm(keras.layers.Dense(8)(inputs))  # LL002: both branches update one set of statistics
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Add()([left, right])))
    model.compile("sgd", "mse")
    return model


def main():
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    with recording_builds():  # optional: findings then point at the two `norm(...)` lines above
        model = build_model()
    x, y = np.random.rand(32, 12).astype("float32"), np.random.rand(32, 1).astype("float32")
    check = layerlint.keras.ReuseCheck()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[check])
    print("findings:", [d.code for d in check.report.diagnostics])
    try:
        model.fit(x, y, epochs=1, verbose=0, callbacks=[layerlint.keras.ReuseCheck(raise_on_error=True)])
    except UnsafeReuseError as error:
        print("fit stopped:", error.report.summary())


if __name__ == "__main__":
    main()
