#!/usr/bin/python3
"""Makes real files of formats Plugboard recognises but refuses (pickles) or detects (TorchScript).

Run with Debian's own python3 (python3-torch):
    /usr/bin/python3 tools/testmodels/make_samples.py src/test/resources/models/samples
"""
import collections
import os
import pickle
import sys

import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/samples"
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(3)


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x)


tiny = Tiny()
# torch.save zip archives: weights only, and a whole pickled module
torch.save(tiny.state_dict(), os.path.join(OUT, "state_dict.pt"))
torch.save(tiny, os.path.join(OUT, "whole_model.pt"))
# the legacy (pre-1.6) non-zip torch.save format
torch.save(tiny.state_dict(), os.path.join(OUT, "legacy_state_dict.pt"), _use_new_zipfile_serialization=False)
# a generic pickle such as scikit-learn or joblib produce: references a class by module path
with open(os.path.join(OUT, "plain.pkl"), "wb") as f:
    pickle.dump(collections.Counter({"a": 1}), f, protocol=4)
# a TorchScript archive (zip with code/ and constants.pkl)
torch.jit.save(torch.jit.script(tiny), os.path.join(OUT, "tiny_torchscript.pt"))
print("wrote", sorted(os.listdir(OUT)))
