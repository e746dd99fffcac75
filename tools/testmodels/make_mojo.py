#!/usr/bin/python3
"""Writes a small H2O GLM MOJO by hand (the MOJO format is a zip of text files) with reference outputs.

    /usr/bin/python3 tools/testmodels/make_mojo.py src/test/resources/models/mojo

glm_numeric.zip: a gaussian GLM on two numeric columns whose zip holds model.ini alone.
glm_regression.zip: gaussian GLM, y = 1.5 * [color == "blue"] + 2.0 * x - 0.5, one categorical
column (color: red, blue) and one numeric column (x).
"""
import json
import os
import sys
import zipfile

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/mojo"
os.makedirs(OUT, exist_ok=True)

INI = """[info]
h2o_version = 3.46.0.12
mojo_version = 1.00
license = Apache License Version 2.0
algo = glm
algorithm = Generalized Linear Modeling
endianness = LITTLE_ENDIAN
category = Regression
uuid = 7060523466470133127
supervised = true
n_features = 2
n_classes = 1
n_columns = 3
n_domains = 1
balance_classes = false
default_threshold = 0.5
use_all_factor_levels = false
cats = 1
cat_modes = [0]
cat_offsets = [0, 1]
nums = 1
num_means = [2.0]
mean_imputation = false
beta = [1.5, 2.0, -0.5]
family = gaussian
link = identity

[columns]
color
x
y

[domains]
0: 2 d000.txt
"""

with zipfile.ZipFile(os.path.join(OUT, "glm_regression.zip"), "w") as z:
    z.writestr("model.ini", INI)
    z.writestr("domains/d000.txt", "red\nblue\n")

rows = [("red", 3.0), ("blue", 3.0), ("blue", -1.25)]
expected = [1.5 * (c == "blue") + 2.0 * x - 0.5 for c, x in rows]
case = {"request": {"inputs": [
    {"name": "color", "datatype": "BYTES", "shape": [3], "data": [c for c, _ in rows]},
    {"name": "x", "datatype": "FP64", "shape": [3], "data": [x for _, x in rows]}]},
    "outputs": [{"name": "predict", "datatype": "FP64", "shape": [3], "data": expected}]}
with open(os.path.join(OUT, "glm_regression.cases.json"), "w") as f:
    json.dump([case], f, indent=1)
# glm_binomial.zip: logistic GLM, p(yes) = sigmoid(1.5 * [color == "blue"] + 2.0 * x - 0.5)
BIN = INI.replace("category = Regression", "category = Binomial").replace("n_classes = 1", "n_classes = 2") \
    .replace("n_domains = 1", "n_domains = 2").replace("family = gaussian", "family = binomial") \
    .replace("link = identity", "link = logit").replace("y\n\n[domains]", "label\n\n[domains]") \
    .replace("0: 2 d000.txt\n", "0: 2 d000.txt\n2: 2 d001.txt\n")
with zipfile.ZipFile(os.path.join(OUT, "glm_binomial.zip"), "w") as z:
    z.writestr("model.ini", BIN)
    z.writestr("domains/d000.txt", "red\nblue\n")
    z.writestr("domains/d001.txt", "no\nyes\n")
import math
p_yes = [1 / (1 + math.exp(-e)) for e in expected]
case = {"request": case["request"], "outputs": [
    {"name": "predict", "datatype": "BYTES", "shape": [3], "data": ["yes" if p >= 0.5 else "no" for p in p_yes]},
    {"name": "probabilities", "datatype": "FP64", "shape": [3, 2], "data": [v for p in p_yes for v in (1 - p, p)]}]}
with open(os.path.join(OUT, "glm_binomial.cases.json"), "w") as f:
    json.dump([case], f, indent=1)
print("wrote", sorted(os.listdir(OUT)))

# glm_numeric.zip: gaussian GLM on two numeric columns, y = 2.0 * a - 1.0 * b + 0.5; the zip holds
# model.ini alone (no domains/: nothing is categorical), as H2O writes such a MOJO.
NUM = """[info]
h2o_version = 3.46.0.12
mojo_version = 1.00
license = Apache License Version 2.0
algo = glm
algorithm = Generalized Linear Modeling
endianness = LITTLE_ENDIAN
category = Regression
uuid = 7060523466470133128
supervised = true
n_features = 2
n_classes = 1
n_columns = 3
n_domains = 0
balance_classes = false
default_threshold = 0.5
use_all_factor_levels = false
cats = 0
cat_modes = []
cat_offsets = [0]
nums = 2
num_means = [0.0, 0.0]
mean_imputation = false
beta = [2.0, -1.0, 0.5]
family = gaussian
link = identity

[columns]
a
b
y

[domains]
"""
with zipfile.ZipFile(os.path.join(OUT, "glm_numeric.zip"), "w") as z:
    z.writestr("model.ini", NUM)
rows = [(1.0, 2.0), (-0.5, 4.0), (3.0, 0.0)]
case = {"request": {"inputs": [
    {"name": "a", "datatype": "FP64", "shape": [3], "data": [a for a, _ in rows]},
    {"name": "b", "datatype": "FP64", "shape": [3], "data": [b for _, b in rows]}]},
    "outputs": [{"name": "predict", "datatype": "FP64", "shape": [3],
                 "data": [2.0 * a - 1.0 * b + 0.5 for a, b in rows]}]}
with open(os.path.join(OUT, "glm_numeric.cases.json"), "w") as f:
    json.dump([case], f, indent=1)
