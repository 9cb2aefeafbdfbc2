"""A pre-training main in the shape of the MAE family's: argparse, optional distributed init, AdamW,
a SummaryWriter on rank 0, epochs of train_one_epoch, save_model at epoch ends. The model is one number."""

import argparse
import os

import torch
from torch.utils.tensorboard import SummaryWriter

import util.misc as misc
from engine_pretrain import train_one_epoch


def get_args_parser():
    parser = argparse.ArgumentParser("engine-shaped pre-training", add_help=False)
    parser.add_argument("--epochs", default=4, type=int)
    parser.add_argument("--iters", default=50, type=int, help="iterations per epoch")
    parser.add_argument("--blr", default=1e-3, type=float)
    parser.add_argument("--lr", default=None, type=float)
    parser.add_argument("--min_lr", default=1e-5, type=float)
    parser.add_argument("--warmup_epochs", default=1, type=int)
    parser.add_argument("--mm", default=0.996, type=float)
    parser.add_argument("--sched", default="cosine", choices=["cosine", "step"])
    parser.add_argument("--step_seconds", default=0.005, type=float)
    parser.add_argument("--fail_at_step", default=-1, type=int)
    parser.add_argument("--output_dir", default="")
    parser.add_argument("--log_dir", default="./output_dir")
    parser.add_argument("--subclass", action="store_true", help="an AdamW subclass whose step calls super()")
    return parser


class Param:
    def __init__(self, value):
        self.data, self.grad = value, 0.0


class Model:
    def __init__(self):
        self.w = Param(3.0)

    def loss_and_grad(self, target):
        diff = self.w.data - target
        self.w.grad = 2 * diff
        return diff * diff


class LoggedAdamW(torch.optim.AdamW):
    def step(self, closure=None):
        return super().step(closure)


def main(args):
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        torch.distributed.init_process_group(backend="gloo")
    model = Model()
    model_without_ddp = model
    args.lr = args.blr * 4 if args.lr is None else args.lr
    optimizer = (LoggedAdamW if args.subclass else torch.optim.AdamW)([model.w], lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.9) if args.sched == "step" else None
    loss_scaler = misc.LossScaler()
    log_writer = SummaryWriter(log_dir=args.log_dir) if misc.is_main_process() else None
    data_loader = [0.5] * args.iters
    for epoch in range(args.epochs):
        train_one_epoch(model, data_loader, optimizer, epoch, loss_scaler, log_writer, args, scheduler)
        if args.output_dir and epoch + 1 == args.epochs:
            misc.save_model(args=args, epoch=epoch, model=model, model_without_ddp=model_without_ddp,
                            optimizer=optimizer, loss_scaler=loss_scaler)
    if log_writer is not None:
        log_writer.flush()


if __name__ == "__main__":
    main(get_args_parser().parse_args())
