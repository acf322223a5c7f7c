"""Section 1 of the "Saving and Loading Models" tutorial, verbatim: prints the model's and the optimizer's state dicts."""
import torch.optim as optim
from tutorial_model import TheModelClass
model = TheModelClass()
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])
