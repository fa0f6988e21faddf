"""A generative differential test of `layerlint check` (issue 14, point 5).

    generator   small model programs in many spellings (named roads a layer instance can take)
    runner      the truth of each program from a real run of the framework, and the checker's verdict
    report      agreement per spelling and framework, as a table

The suite runs a fixed-seed sample (tests/test_generated_differential.py); bench/generated_agreement.py
runs a long one. The `generated` package is imported with eval/ on sys.path, as eval/score.py's
`corpus` is.
"""
