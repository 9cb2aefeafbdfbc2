"""A small DDP training script with TensorBoard logging, written as anyone would: nothing in it knows siamon.

    torchrun --nproc_per_node=2 ddp_tensorboard.py --steps 1000

Each rank prints one line per optimizer step ("rank R step S t T") so a driver can see every rank's progress.
It logs the lr it set before the step twice, as `lr` and as `schedule_lr`: under siamon_run.py the first is
replaced by the lr actually applied, the second keeps the scheduler's value.
"""

import argparse
import time

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.tensorboard import SummaryWriter


def parse():
    parser = argparse.ArgumentParser(description="toy DDP regression with TensorBoard scalars")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--step-seconds", type=float, default=0.02, help="sleep per step, to watch it")
    parser.add_argument("--log-dir", default="tb-logs")
    return parser.parse_args()


def main():
    args = parse()
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    model = DistributedDataParallel(nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 1)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.steps)
    writer = SummaryWriter(args.log_dir) if rank == 0 else None
    data = torch.Generator().manual_seed(rank)
    for step in range(args.steps):
        x = torch.randn(64, 16, generator=data)
        loss = nn.functional.mse_loss(model(x), x.sum(1, keepdim=True))
        optimizer.zero_grad()
        loss.backward()
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        print("rank %d step %d t %.3f" % (rank, step, time.time()), flush=True)
        if writer is not None:
            writer.add_scalar("train/loss", loss.item(), step)
            writer.add_scalar("lr", lr, step)
            writer.add_scalar("schedule_lr", lr, step)
        time.sleep(args.step_seconds)
    if writer is not None:
        writer.close()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
