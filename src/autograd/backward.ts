/** The backward pass: a topological sort of the graph, then each node's rule in reverse order. */
import type { Tensor } from "../tensor/tensor.ts";
import { noGrad } from "./grad-mode.ts";
import type { Node } from "./node.ts";

/** PyTorch's message for a second backward through a freed graph. */
export const FREED_GRAPH_MESSAGE =
  "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
  "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). " +
  "Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

function topologicalOrder(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  // Iterative DFS (graphs of deep networks would overflow recursion).
  const stack: [Node, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const next = node.inputs[i]?.gradFn;
      if (next && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

/**
 * Accumulates d(root)/d(leaf) into every leaf's `.grad`, starting from `gradient` (the gradient of
 * `root` itself). Frees the graph unless `retainGraph`.
 */
export function runBackward(root: Tensor, gradient: Tensor, retainGraph: boolean): void {
  const rootNode = root.gradFn;
  if (!rootNode) {
    if (root.requiresGrad) accumulateLeaf(root, gradient);
    return;
  }
  noGrad(() => {
    const grads = new Map<Node, Tensor>([[rootNode, gradient]]);
    for (const node of topologicalOrder(rootNode)) {
      const g = grads.get(node);
      if (!g) continue;
      grads.delete(node);
      if (node.retained) accumulateLeaf(node.retained, g);
      const fn = node.backwardFn;
      if (!fn) throw new Error(FREED_GRAPH_MESSAGE);
      const inputGrads = fn(g);
      if (!retainGraph) node.backwardFn = null;
      node.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (!input || !ig || !input.requiresGrad) return;
        if (input.gradFn) {
          const prev = grads.get(input.gradFn);
          grads.set(input.gradFn, prev ? prev.add(ig) : ig);
        } else {
          accumulateLeaf(input, ig);
        }
      });
    }
  });
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  const grad = g.shape.equals(leaf.shape) ? g : g.expand(...leaf.shape).contiguous();
  if (leaf.grad) leaf.grad.add_(grad);
  else leaf.grad = grad.dtype === leaf.dtype ? grad.detach().contiguous().clone() : grad.to(leaf.dtype);
}
