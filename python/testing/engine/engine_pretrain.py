"""One epoch in the shape of the MAE family's engine: the LR set per iteration, the step through a loss
scaler, TensorBoard scalars at epoch_1000x."""

import math
import time

import util.lr_sched as lr_sched


def train_one_epoch(model, data_loader, optimizer, epoch, loss_scaler, log_writer, args, scheduler=None):
    for data_iter_step, target in enumerate(data_loader):
        if scheduler is None:
            lr_sched.adjust_learning_rate(optimizer, data_iter_step / len(data_loader) + epoch, args)
        mm = 1.0 - 0.5 * (1.0 + math.cos(math.pi * (data_iter_step / len(data_loader) + epoch) / args.epochs)) * (1.0 - args.mm)
        loss = model.loss_and_grad(target)
        grad_norm = loss_scaler(loss, optimizer)
        optimizer.zero_grad()
        if scheduler is not None:
            scheduler.step()
        if args.fail_at_step >= 0 and epoch * len(data_loader) + data_iter_step == args.fail_at_step:
            raise RuntimeError("failing on purpose")
        time.sleep(args.step_seconds)
        lr = optimizer.param_groups[0]["lr"]
        if log_writer is not None:
            epoch_1000x = int((data_iter_step / len(data_loader) + epoch) * 1000)
            log_writer.add_scalar("train_loss", loss, epoch_1000x)
            log_writer.add_scalar("lr", lr, epoch_1000x)
            log_writer.add_scalar("grad_norm", grad_norm, epoch_1000x)
            log_writer.add_scalar("mm", mm, epoch_1000x)
            log_writer.add_scalar("train/loss_pos", loss / 2, epoch_1000x)
