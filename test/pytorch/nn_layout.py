"""For each model name on stdin, prints what tsorch must reproduce: repr, state-dict keys/shapes/dtypes,
_metadata, and the names of parameters, buffers and modules."""
from common import read_input, write_output
from nn_models import MODELS


def layout(model):
    sd = model.state_dict()
    return {
        "repr": repr(model),
        "keys": list(sd.keys()),
        "shapes": [list(v.shape) for v in sd.values()],
        "dtypes": [str(v.dtype).replace("torch.", "") for v in sd.values()],
        "metadata": [[k, v] for k, v in sd._metadata.items()],
        "parameters": [name for name, _ in model.named_parameters()],
        "buffers": [name for name, _ in model.named_buffers()],
        "modules": [name for name, _ in model.named_modules()],
        "children": [name for name, _ in model.named_children()],
        "num_parameters": len(list(model.parameters())),
    }


write_output({name: layout(MODELS[name]()) for name in read_input()})
