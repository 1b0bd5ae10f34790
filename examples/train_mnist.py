"""Train a LeNet-style CNN on MNIST with ember: the program is ember/examples/mnist.py.

    python examples/train_mnist.py --epochs 8 --out runs/mnist
    python examples/train_mnist.py --device cuda      # on an NVIDIA GPU (pip install 'ember[cuda]')
"""

import sys

from ember.examples.mnist import main

if __name__ == "__main__":
    main(sys.argv[1:])
