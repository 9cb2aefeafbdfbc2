"""A minimal stand-in for the parts of PyTorch that siamon_run.py touches, written into a folder for
PYTHONPATH, so the launcher's patching is tested on machines without torch.

- torch.optim.Optimizer keeps param_groups; AdamW (its own step) appends one JSON line per step, with the
  lrs it applied, to $FAKE_TORCH_STEPS.rank<RANK>.
- torch.optim.lr_scheduler.StepLR is recursive (it multiplies the group's current lr) and wraps
  optimizer.step on the instance, as PyTorch 1.x schedulers did.
- torch.utils.tensorboard fails to import, as it does when the tensorboard package is missing.
- torch.distributed runs broadcast through files in $FAKE_DIST_DIR between the processes of
  one job (RANK and WORLD_SIZE set by the test).
"""

import os

FILES = {
    "torch/__init__.py": '''
from . import optim, utils, distributed
__version__ = "0.0+fake"
float64 = "float64"


class device:
    def __init__(self, kind, index=None):
        self.kind, self.index = kind, index


class Tensor:
    def __init__(self, values):
        self.values = list(values)

    def tolist(self):
        return list(self.values)


def tensor(values, dtype=None, device=None):
    return Tensor(values)
''',
    "torch/utils/__init__.py": "",
    "torch/utils/tensorboard/__init__.py": '''
raise ImportError("TensorBoard logging requires TensorBoard (this fake torch has none)")
''',
    "torch/optim/__init__.py": '''
from .optimizer import Optimizer
from .adamw import AdamW
from . import lr_scheduler
''',
    "torch/optim/optimizer.py": '''
class Optimizer:
    def __init__(self, params, defaults):
        params = list(params)
        groups = params if params and isinstance(params[0], dict) else [{"params": params}]
        self.defaults = defaults
        self.param_groups = [dict(defaults, **g) for g in groups]

    def step(self, closure=None):
        raise NotImplementedError

    def zero_grad(self):
        for g in self.param_groups:
            for p in g["params"]:
                p.grad = 0.0

    def state_dict(self):
        return {"param_groups": [{k: v for k, v in g.items() if k != "params"} for g in self.param_groups]}
''',
    "torch/optim/adamw.py": '''
import json, os, time
from .optimizer import Optimizer


class AdamW(Optimizer):
    def __init__(self, params, lr=1e-3, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay})

    def step(self, closure=None):
        for g in self.param_groups:
            for p in g["params"]:
                p.data -= g["lr"] * p.grad
        log = os.environ.get("FAKE_TORCH_STEPS")
        if log:
            with open("%s.rank%s" % (log, os.environ.get("RANK", "0")), "a") as f:
                f.write(json.dumps({"t": time.time(), "lrs": [g["lr"] for g in self.param_groups]}) + "\\n")
''',
    "torch/optim/lr_scheduler.py": '''
class StepLR:
    def __init__(self, optimizer, step_size, gamma=0.1):
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.last_epoch = 0
        self.optimizer_steps = 0
        func = optimizer.step.__func__
        def counted(*args, **kwargs):
            self.optimizer_steps += 1
            return func(optimizer, *args, **kwargs)
        optimizer.step = counted

    def step(self):
        self.last_epoch += 1
        if self.last_epoch % self.step_size == 0:
            for g in self.optimizer.param_groups:
                g["lr"] = g["lr"] * self.gamma
''',
    "torch/distributed/__init__.py": '''
import os, pickle, time

_state = {"init": False, "seq": 0}


def is_available():
    return True


def is_initialized():
    return _state["init"]


def init_process_group(backend="gloo", **kwargs):
    _state.update(init=True, rank=int(os.environ["RANK"]), world=int(os.environ["WORLD_SIZE"]),
                  dir=os.environ["FAKE_DIST_DIR"])


def get_rank():
    return _state["rank"]


def get_world_size():
    return _state["world"]


def destroy_process_group():
    _state["init"] = False


def get_backend():
    return "gloo"


def broadcast(tensor, src=0):
    path = os.path.join(_state["dir"], "broadcast-%d" % _state["seq"])
    _state["seq"] += 1
    if _state["rank"] == src:
        with open(path + ".tmp", "wb") as f:
            pickle.dump(tensor.values, f)
        os.replace(path + ".tmp", path)
        return
    while not os.path.exists(path):
        time.sleep(0.001)
    with open(path, "rb") as f:
        tensor.values = pickle.load(f)
''',
}


def write(folder):
    """Writes the fake torch package into folder (to put on PYTHONPATH)."""
    for name, text in FILES.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text.lstrip("\n"))
    return folder
