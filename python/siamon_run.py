"""siamon_run: run an unmodified PyTorch training script as a siamon run that siamon can steer.

    python3 siamon_run.py --name NAME [--runs DIR] [--resume] SCRIPT.py [ARGS...]
    torchrun --nproc_per_node=N siamon_run.py --name NAME SCRIPT.py [ARGS...]

SCRIPT runs as __main__ with sys.argv = [SCRIPT, ARGS...]. Before it starts, the launcher:
- puts siamon_log.SummaryWriter in place of torch.utils.tensorboard.SummaryWriter (and tensorboardX's), so
  the tensorboard package need not be installed. Every scalar is stored at the current optimizer step (the
  index of the last optimizer step taken, from 0), whatever x-value the script passes: MAE-style epoch_1000x
  values become steps, and `lr` is the lr that step applied, LR scale included;
- makes each step of the first optimizer that steps a step boundary: commands are applied there, pause
  blocks there (on every rank under torch.distributed), and stop ends every rank there with exit status 0
  and run status stopped;
- applies the LR scale inside each optimizer step only: every param group's lr is multiplied just before the
  real step and put back right after, so the script's scheduler, recursive or absolute, never sees it;
- records argv and, once the script parses its arguments with argparse, the namespace (again at the first
  step, after the script has derived values such as lr) as the run's config;
- answers checkpoint by calling a save_model(args, epoch, model, model_without_ddp, optimizer, loss_scaler,
  latest, latest_postfix)-like function found in the script's frames (for example misc.save_model in the
  MAE/SiameseIM main), with latest_postfix="siamon-step<N>", so the file is never mistaken for an epoch's
  checkpoint by auto-resume; otherwise checkpoint is refused with the reason.
Only rank 0 writes to the store; RANK and WORLD_SIZE come from torchrun.
"""

import argparse
import functools
import importlib.util
import inspect
import os
import runpy
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import siamon_log  # noqa: E402


class StepClock:
    """Counts optimizer steps, runs the step boundary before each, and keeps the LR scale out of the
    schedulers' sight."""

    def __init__(self, run):
        self.run = run
        self.completed = 0            # optimizer steps taken by the first optimizer that stepped
        self.applied_lr = None        # param_groups[0]["lr"] as the last step applied it
        self.main = None              # the first optimizer that stepped: the clock
        self.depth = 0                # nested step calls (a subclass calling super().step()) count once
        self.on_first_step = []

    @property
    def step(self):
        return max(0, self.completed - 1)

    def before(self, optimizer):
        """Runs the boundary (on the clock's optimizer), then scales every group's lr; returns the lrs to
        put back."""
        if self.main is None:
            self.main = optimizer
            for fn in self.on_first_step:
                fn()
        if optimizer is self.main:
            self.run.step_boundary(self.completed)
            if self.run.should_stop:
                self._stop()
        saved = [group["lr"] for group in optimizer.param_groups]
        scale = self.run.lr_scale
        if scale != 1.0:
            for group in optimizer.param_groups:
                group["lr"] = group["lr"] * scale
        if optimizer is self.main and optimizer.param_groups:
            self.applied_lr = float(optimizer.param_groups[0]["lr"])
        return saved

    def after(self, optimizer, saved, ok):
        for group, lr in zip(optimizer.param_groups, saved):
            group["lr"] = lr
        if ok and optimizer is self.main:
            self.completed += 1

    def _stop(self):
        """Ends this rank after a stop command: every rank gets here at the same step."""
        self.run.finish()
        dist = siamon_log._distributed()
        if dist is not None:
            try:
                dist.destroy_process_group()
            except Exception:  # exiting anyway; torchrun only needs the status
                pass
        raise SystemExit(0)


def wrap_step(step, clock):
    @functools.wraps(step)
    def siamon_step(self, *args, **kwargs):
        if clock.depth:
            return step(self, *args, **kwargs)
        saved = clock.before(self)
        clock.depth += 1
        ok = False
        try:
            out = step(self, *args, **kwargs)
            ok = True
            return out
        finally:
            clock.depth -= 1
            clock.after(self, saved, ok)
    siamon_step.siamon_wrapped = True
    return siamon_step


def patch_optimizers(optimizer_class, clock):
    """Wraps the step of every Optimizer subclass at the class level when its first instance is created
    (AdamW and the like define their own step). Schedulers that wrap optimizer.step on the instance later
    wrap this one, so the scale is always inside them."""
    original_init = optimizer_class.__init__

    @functools.wraps(original_init)
    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        cls = type(self)
        if not getattr(cls.step, "siamon_wrapped", False):
            cls.step = wrap_step(cls.step, clock)
    optimizer_class.__init__ = init


def install_tensorboard(torch):
    """sys.modules entries for torch.utils.tensorboard and tensorboardX that hold siamon's SummaryWriter."""
    for name in ("torch.utils.tensorboard", "torch.utils.tensorboard.writer", "tensorboardX"):
        module = types.ModuleType(name)
        module.SummaryWriter = siamon_log.SummaryWriter
        sys.modules[name] = module
    if torch is not None:
        torch.utils.tensorboard = sys.modules["torch.utils.tensorboard"]
        torch.utils.tensorboard.writer = sys.modules["torch.utils.tensorboard.writer"]


class ConfigRecorder:
    """Keeps the run's config: the script, its argv and the last argparse namespace it parsed."""

    def __init__(self, run, script, argv):
        self.run = run
        self.config = {"script": script, "argv": list(argv)}
        self.namespace = None

    def capture(self, namespace):
        if isinstance(namespace, argparse.Namespace):
            self.namespace = namespace
            self.save()

    def save(self):
        if self.namespace is not None:
            self.config["args"] = dict(vars(self.namespace))
        self.run.set_config(self.config)

    def patch_argparse(self):
        original = argparse.ArgumentParser.parse_known_args
        recorder = self

        @functools.wraps(original)
        def parse_known_args(parser, *args, **kwargs):
            result = original(parser, *args, **kwargs)
            recorder.capture(result[0])
            return result
        argparse.ArgumentParser.parse_known_args = parse_known_args


_SAVE_EXTRAS = ("latest", "latest_postfix")


def _save_functions(frame):
    """save_model callables visible from a frame: a global function, or an attribute of an imported module."""
    found = []
    g = frame.f_globals
    if callable(g.get("save_model")):
        found.append(g["save_model"])
    for value in list(g.values()):
        if isinstance(value, types.ModuleType) and callable(getattr(value, "save_model", None)):
            found.append(value.save_model)
    return found


def _arguments_for(fn, frame, optimizer):
    """Keyword arguments for fn from the frame's locals, or None when a required one is missing, None, or
    the frame's optimizer is not the one being stepped (then the frame is not the training loop's)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None
    kwargs = {}
    for name, p in params.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or name in _SAVE_EXTRAS:
            continue
        if name in frame.f_locals and frame.f_locals[name] is not None:
            kwargs[name] = frame.f_locals[name]
        elif p.default is p.empty:
            return None
    if "optimizer" in kwargs and kwargs["optimizer"] is not optimizer:
        return None
    return kwargs


def find_save_model(optimizer):
    """(fn, kwargs) for the innermost frame that can call a save_model with all its arguments, or a reason."""
    frame = sys._getframe(1)
    seen_any = False
    while frame is not None:
        for fn in _save_functions(frame):
            seen_any = True
            kwargs = _arguments_for(fn, frame, optimizer)
            if kwargs is not None:
                return fn, kwargs
        frame = frame.f_back
    if seen_any:
        return None, "save_model found, but no frame holds all its arguments (args, epoch, model, optimizer, ...)"
    return None, "the script exposes no save_model; it can register one with siamon_log.active_run().on_checkpoint(fn)"


def save_checkpoint(clock, step):
    fn, found = find_save_model(clock.main)
    if fn is None:
        raise siamon_log.CheckpointRefused(found)
    params = inspect.signature(fn).parameters
    if "latest_postfix" not in params or "latest" not in params:
        raise siamon_log.CheckpointRefused("%s has no latest/latest_postfix parameters; a mid-epoch checkpoint "
                                           "would take an epoch checkpoint's name" % fn.__name__)
    output_dir = getattr(found.get("args"), "output_dir", None)
    if not output_dir:
        raise siamon_log.CheckpointRefused("args.output_dir is empty: the script saves no checkpoints")
    postfix = "siamon-step%d" % step
    fn(latest=True, latest_postfix=postfix, **found)
    return os.path.join(str(output_dir), "checkpoint-%s.pth" % postfix)


def parse(argv):
    parser = argparse.ArgumentParser(prog="siamon_run.py", description="Run a PyTorch script as a steerable siamon run.")
    parser.add_argument("--name", required=True, help="the run's name (letters, digits, . _ -)")
    parser.add_argument("--runs", default=os.environ.get("SIAMON_RUNS", "runs"), help="runs folder or database file")
    parser.add_argument("--resume", action="store_true", help="continue the run of that name")
    parser.add_argument("script")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args(argv)
    bad = siamon_log.run_name_error(opts.name)
    if bad:
        parser.error(bad)
    return opts


def import_torch():
    if importlib.util.find_spec("torch") is None:
        return None
    import torch
    import torch.optim
    import torch.utils
    return torch


def main(argv):
    opts = parse(argv)
    script = os.path.abspath(opts.script)
    try:
        run = siamon_log.Run(siamon_log.runs_folder(opts.runs), opts.name, config={"script": script, "argv": [opts.script] + opts.args},
                             resume=opts.resume)
    except (ValueError, siamon_log.SchemaError) as e:
        sys.exit("siamon_run.py: %s" % e)
    clock = StepClock(run)
    recorder = ConfigRecorder(run, script, [opts.script] + opts.args)
    recorder.patch_argparse()
    clock.on_first_step.append(recorder.save)
    run.on_checkpoint(lambda step: save_checkpoint(clock, step))
    siamon_log.use_step_clock(clock)
    torch = import_torch()
    install_tensorboard(torch)
    if torch is not None:
        patch_optimizers(torch.optim.Optimizer, clock)
    sys.argv = [opts.script] + opts.args
    sys.path[0] = os.path.dirname(script)
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
