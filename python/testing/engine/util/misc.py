"""Helpers in the shape of the MAE family's util/misc.py (rank queries, a loss scaler, save_model)."""

import json
import os

import torch


def get_rank():
    return torch.distributed.get_rank() if torch.distributed.is_initialized() else 0


def is_main_process():
    return get_rank() == 0


class LossScaler:
    """Calls optimizer.step() the way a GradScaler does, from inside another object."""

    def __call__(self, loss, optimizer):
        optimizer.step()
        return 1.0

    def state_dict(self):
        return {"scale": 65536.0}


def save_model(args, epoch, model, model_without_ddp, optimizer, loss_scaler, latest=False, latest_postfix="latest"):
    name = "checkpoint-%s.pth" % (latest_postfix if latest else epoch)
    if is_main_process():
        with open(os.path.join(args.output_dir, name), "w") as f:
            json.dump({"epoch": epoch, "w": model_without_ddp.w.data, "optimizer": optimizer.state_dict(),
                       "scaler": loss_scaler.state_dict()}, f)
