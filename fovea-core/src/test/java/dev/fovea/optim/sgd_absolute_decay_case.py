#!/usr/bin/python3
"""The PyTorch case behind SgdAbsoluteDecayTest: airbench's optimizer over a few steps.
torch.optim.SGD (nesterov, momentum 0.85) with two parameter groups, the second at 64x the rate,
each with weight_decay = wd / lr_group, and a LambdaLR of np.interp(step, [0, int(0.23 T), T],
[0.2, 1, 0.07]); gradients are fixed random tensors, so the case needs no model. float32, as
airbench trains. Writes the initial weights, the gradients and the weights after every step.

    /usr/bin/python3 fovea-core/src/test/java/dev/fovea/optim/sgd_absolute_decay_case.py \
        fovea-core/src/test/resources/dev/fovea/optim/sgd_absolute_decay.json
"""
import json, sys
import numpy as np
import torch

torch.manual_seed(11)
T, lr, wd, mu, mult = 10, 0.05, 0.02, 0.85, 64.0
a = torch.randn(5)
b = torch.randn(3)
pa, pb = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
opt = torch.optim.SGD([
    dict(params=[pa], lr=lr, weight_decay=wd / lr),
    dict(params=[pb], lr=lr * mult, weight_decay=wd / (lr * mult)),
], momentum=mu, nesterov=True)
schedule = np.interp(np.arange(1 + T), [0, int(0.23 * T), T], [0.2, 1.0, 0.07])
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: schedule[i])
grads_a, grads_b, after_a, after_b, rates = [], [], [], [], []
for step in range(T):
    ga, gb = torch.randn(5) * 0.1, torch.randn(3) * 0.01
    rates.append(opt.param_groups[0]["lr"])
    pa.grad, pb.grad = ga.clone(), gb.clone()
    opt.step()
    sched.step()
    grads_a.append(ga.tolist()); grads_b.append(gb.tolist())
    after_a.append(pa.detach().tolist()); after_b.append(pb.detach().tolist())
case = dict(torch=torch.__version__, total_steps=T, lr=lr, weight_decay=wd, momentum=mu, multiplier=mult,
            a=a.tolist(), b=b.tolist(), grads_a=grads_a, grads_b=grads_b, after_a=after_a, after_b=after_b,
            rates=rates)
with open(sys.argv[1], "w") as f:
    json.dump(case, f, indent=1)
