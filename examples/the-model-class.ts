/** TheModelClass: the small CNN of PyTorch's "Saving and Loading Models" tutorial (a LeNet for 3x32x32 images). */
import * as torch from "../src/index.ts";
import { F, nn } from "../src/index.ts";

/** The tutorial's model, written as in PyTorch: layers as class fields, registered in definition order. */
export class TheModelClass extends nn.Module {
  /** The Python class this model is saved as by `torch.save(model, PATH)` (the tutorial defines it in `__main__`). */
  static pythonClass = "__main__.TheModelClass";

  conv1 = new nn.Conv2d(3, 6, 5);
  pool = new nn.MaxPool2d(2, 2);
  conv2 = new nn.Conv2d(6, 16, 5);
  fc1 = new nn.Linear(16 * 5 * 5, 120);
  fc2 = new nn.Linear(120, 84);
  fc3 = new nn.Linear(84, 10);

  /** Logits for a batch of 3x32x32 images. */
  override forward(x: torch.Tensor): torch.Tensor {
    x = this.pool.forward(F.relu(this.conv1.forward(x)));
    x = this.pool.forward(F.relu(this.conv2.forward(x)));
    x = x.view(-1, 16 * 5 * 5);
    x = F.relu(this.fc1.forward(x));
    x = F.relu(this.fc2.forward(x));
    return this.fc3.forward(x);
  }
}
