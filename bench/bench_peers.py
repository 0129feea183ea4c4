"""The course against what a learner would otherwise run, on the real task, side by side in one run:

  course   `lesson_dls` (each image decoded once into `ImageCache`; a cold cache in every run, so decoding counts) +
           `get_learner` (fast path) + `fit_recipe`, the post's flip / rotate / brightness as batch transforms
  post     the original post's loop: torchvision `ImageFolder` + per-image ColorJitter / flip / rotate + `ToTensor`,
           `DataLoader(num_workers=2)`, fp32, `Adam(weight_decay)` + `OneCycleLR` + `clip_grad_value_`, validated
           each epoch (no seed code of the post survives: this follows its stated recipe and the course it came from)
  fastai   fastai's defaults a user would write: `ImageDataLoaders.from_folder(item_tfms=Resize(64),
           batch_tfms=aug_transforms())` (its default workers: all cores up to 16), an fp32 `Learner` (fastai's
           Adam, wd, value clipping) + `fit_one_cycle`

Same images (6 Tiny ImageNet classes × 100 training images and their 50 validation images each, 64 px, the sample the
lessons pick with seed 42), same ResNet9 (`resnet9`), same recipe (lr 1e-3 one-cycle, wd 1e-4, clip 0.1 by value),
batch 32, 3 epochs. Wall time end to end: from building the loaders to the last validation, data loading included.
Rounds are interleaved, each round with its own seed (0, 1, ...); the fastest round counts for time. Accuracy is the
final validation accuracy; a peer's seeds' spread (max - min over its rounds) is what the course's mean is compared to:
ok when the course's mean is at least the peer's mean minus the larger of the two spreads (and minus 0.02, since two
seeds understate the spread). Goals: post / course >= 3, fastai / course >= 2.
Cost on the 2-core EPYC: ~6 s + ~20 s + ~20 s a round, 2 rounds: ~1.5 min.

Run: make bench   (or: python bench/bench_peers.py [--quick])
"""
import argparse, os, shutil, signal, sys, tempfile, time, torch
from pathlib import Path
from torch import nn
from resnet_course.core import get_learner, set_seeds, course_report, device_name, ClipGradValue
from resnet_course.settings import DATA_ENV, TINY_IMAGENET_ENV
from resnet_course.data import lesson_dls, get_tiny_imagenet, tiny_imagenet_items
from resnet_course.archives import DataError
from resnet_course.augment import flip_rotate_brightness
from resnet_course.resnet9 import resnet9, RESNET9_RECIPE
from timing import show_ratio, load_average

R = RESNET9_RECIPE


def image_folders(items, dest:Path) -> Path:
    "`dest/{train,valid}/<wnid>/` of symlinks to `items`: the layout `ImageFolder` and `from_folder` read."
    for p, w, v in zip(items.path, items.wnid, items.is_valid):
        d = dest/('valid' if v else 'train')/w
        d.mkdir(parents=True, exist_ok=True)
        (d/Path(p).name).symlink_to(Path(p).resolve())
    return dest


def course(a, seed:int) -> tuple:
    "(seconds, accuracy) of the course's path, its image cache cold (a fresh data folder)."
    with tempfile.TemporaryDirectory(prefix='resnet_course_peers_') as tmp:
        os.environ[DATA_ENV] = tmp
        t0 = time.perf_counter()
        dls, _ = lesson_dls('sample', n_classes=a.classes, n_train=a.n_train, n_valid=a.n_valid, size=64, bs=a.bs,
                            batch_tfms=flip_rotate_brightness())
        set_seeds(seed, dls)
        learn = get_learner(dls, resnet9(dls.c), R)
        with learn.no_bar(), learn.no_logging(): learn.fit_recipe(a.epochs)
        return time.perf_counter() - t0, float(learn.recorder.values[-1][2])


def post(a, seed:int, root:Path) -> tuple:
    "(seconds, accuracy) of the original post's training loop (Zero to GANs' `fit_one_cycle`), fp32."
    import torchvision.transforms as tt
    from torchvision.datasets import ImageFolder
    from torch.utils.data import DataLoader
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    train_tfms = tt.Compose([tt.ColorJitter(brightness=0.2), tt.RandomHorizontalFlip(), tt.RandomRotation(10),
                             tt.ToTensor()])
    train_ds, valid_ds = ImageFolder(root/'train', train_tfms), ImageFolder(root/'valid', tt.ToTensor())
    train_dl = DataLoader(train_ds, a.bs, shuffle=True, num_workers=2)
    valid_dl = DataLoader(valid_ds, a.bs * 2, num_workers=2)
    model = resnet9(len(train_ds.classes))
    opt = torch.optim.Adam(model.parameters(), R.lr, weight_decay=R.wd)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, R.lr, epochs=a.epochs, steps_per_epoch=len(train_dl))
    for epoch in range(a.epochs):
        model.train()
        for xb, yb in train_dl:
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), R.clip)
            opt.step(); opt.zero_grad(); sched.step()
        model.eval()
        with torch.no_grad(): correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in valid_dl)
    return time.perf_counter() - t0, correct / len(valid_ds)


def fastai_defaults(a, seed:int, root:Path) -> tuple:
    "(seconds, accuracy) of fastai's defaults: `ImageDataLoaders.from_folder`, `aug_transforms`, fp32 `fit_one_cycle`."
    from fastai.vision.all import ImageDataLoaders, Resize, aug_transforms, Learner, accuracy, set_seed
    set_seed(seed, reproducible=True)
    t0 = time.perf_counter()
    dls = ImageDataLoaders.from_folder(root, train='train', valid='valid', item_tfms=Resize(64),
                                       batch_tfms=aug_transforms(), bs=a.bs)
    learn = Learner(dls, resnet9(dls.c), metrics=accuracy, wd=R.wd, cbs=ClipGradValue(R.clip))
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(a.epochs, R.lr)
    return time.perf_counter() - t0, float(learn.recorder.values[-1][2])


def acc_line(name:str, course_accs, peer_accs, width:int=44) -> bool:
    "Print whether the course's mean accuracy is within the seed spread of the peer's; True if so."
    mean = lambda v: sum(v) / len(v)
    spread = max(max(course_accs) - min(course_accs), max(peer_accs) - min(peer_accs), 0.02)
    ok = mean(course_accs) >= mean(peer_accs) - spread
    print(f"  {'accuracy, course vs ' + name:{width}}   {mean(course_accs):.3f} vs {mean(peer_accs):.3f} "
          f"(seed spread {spread:.3f})   goal: within the spread   {'ok' if ok else 'BELOW GOAL'}")
    return ok


if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rounds', type=int, default=2); p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--bs', type=int, default=32); p.add_argument('--classes', type=int, default=6)
    p.add_argument('--quick', action='store_true', help='a few seconds: 2 classes × 20 images, 1 epoch, 1 round')
    a = p.parse_args()
    a.n_train, a.n_valid = 100, 50
    if a.quick: a.classes, a.n_train, a.n_valid, a.epochs, a.rounds = 2, 20, 10, 1, 1
    torch.set_flush_denormal(True)
    course_report()
    try: root = get_tiny_imagenet()
    except DataError as e: raise SystemExit(f"bench_peers needs the Tiny ImageNet sample ({TINY_IMAGENET_ENV}): {e}")
    items = tiny_imagenet_items(root, a.classes, a.n_train, a.n_valid, seed=42)   # the lessons' pick (`lesson_dls`)
    data_env, tiny_env = os.environ.get(DATA_ENV), os.environ.get(TINY_IMAGENET_ENV)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # a `timeout` or `kill`: clean up as on an exception
    tmp = Path(tempfile.mkdtemp(prefix='resnet_course_peers_folders_'))
    try:
        os.environ[TINY_IMAGENET_ENV] = str(root)   # the extracted folder, so a fresh data folder needs no extraction
        folders = image_folders(items, tmp)
        runs = dict(course=lambda s: course(a, s), post=lambda s: post(a, s, folders),
                    fastai=lambda s: fastai_defaults(a, s, folders))
        res = {k: [] for k in runs}
        for r in range(a.rounds):
            for k, f in runs.items(): res[k].append(f(r))
            print(f"  round {r+1}/{a.rounds} (seed {r}): " +
                  ' | '.join(f"{k} {v[-1][0]:.1f} s, accuracy {v[-1][1]:.3f}" for k, v in res.items()), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        for k, v in ((DATA_ENV, data_env), (TINY_IMAGENET_ENV, tiny_env)):
            if v is None: os.environ.pop(k, None)
            else: os.environ[k] = v
    best = {k: min(t for t, _ in v) for k, v in res.items()}
    accs = {k: [acc for _, acc in v] for k, v in res.items()}
    print(f"\nPeers: {a.classes} Tiny ImageNet classes × {a.n_train} train / {a.n_valid} valid images, 64 px, ResNet9, "
          f"batch {a.bs}, {a.epochs} epochs, fastest of {a.rounds} interleaved rounds"
          f"{' (QUICK: not the figures)' if a.quick else ''}; {device_name()}, {torch.get_num_threads()} threads, "
          f"load {load_average()}")
    for k, name in (('course', 'course (lesson_dls + fit_recipe, fast path)'), ('post', "original post's loop, fp32"),
                    ('fastai', 'fastai defaults, fp32')):
        print(f"  {name:44} {best[k]:6.1f} s   accuracy " + ', '.join(f"{x:.3f}" for x in accs[k]))
    show_ratio('post / course  (wall time)', best['post'], best['course'], 3.0)
    show_ratio('fastai / course  (wall time)', best['fastai'], best['course'], 2.0)
    acc_line('post', accs['course'], accs['post']); acc_line('fastai', accs['course'], accs['fastai'])
