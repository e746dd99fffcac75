#!/usr/bin/python3
"""Makes TorchScript models that reach outside themselves, for the containment tests.

Run with Debian's own python3 (python3-torch):
    /usr/bin/python3 tools/testmodels/make_hostile_torchscript.py src/test/resources/models/torchscript-hostile

- reads_file.pt: forward reads /etc/passwd with torch.from_file and adds its bytes to the input.
- saves_file.pt: forward writes its input to /tmp/plugboard-hostile-marker.pt with torch.save.
Plugboard must refuse both before libtorch runs them (the marker file must never appear).
"""
import os
import sys

import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/models/torchscript-hostile"
os.makedirs(OUT, exist_ok=True)


class ReadsFile(torch.nn.Module):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def forward(self, x):
        leaked = torch.from_file(self.path, shared=False, size=16, dtype=torch.uint8)
        return x + leaked.sum().float()


class SavesFile(torch.nn.Module):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def forward(self, x):
        torch.save(x, self.path)
        return x


torch.jit.script(ReadsFile("/etc/passwd")).save(os.path.join(OUT, "reads_file.pt"))
torch.jit.script(SavesFile("/tmp/plugboard-hostile-marker.pt")).save(os.path.join(OUT, "saves_file.pt"))
