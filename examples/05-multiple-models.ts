/**
 * Tutorial section 5, "Saving Multiple Models in One File": a GAN's generator and discriminator (modelA,
 * modelB) and their optimizers go into one dictionary, saved as a `.tar`. Trains a tiny 1-D GAN for a few
 * steps, saves, loads into fresh models and optimizers, and checks that both halves continue exactly.
 *
 * Run: npx tsx examples/05-multiple-models.ts
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as torch from "../src/index.ts";
import { F, nn, optim } from "../src/index.ts";
import { runIfMain, withTempDir } from "./helpers.ts";

const { pyRepr } = torch;

/** modelA: noise [N, 4] -> samples [N, 1]. */
class Generator extends nn.Module {
  net = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 1));
  override forward(z: torch.Tensor): torch.Tensor {
    return this.net.forward(z);
  }
}

/** modelB: samples [N, 1] -> logit of "real" [N, 1]. */
class Discriminator extends nn.Module {
  net = new nn.Sequential(new nn.Linear(1, 16), new nn.ReLU(), new nn.Linear(16, 1));
  override forward(x: torch.Tensor): torch.Tensor {
    return this.net.forward(x);
  }
}

interface Gan {
  modelA: Generator;
  modelB: Discriminator;
  optimizerA: optim.Adam;
  optimizerB: optim.Adam;
}

function makeGan(): Gan {
  const modelA = new Generator();
  const modelB = new Discriminator();
  return {
    modelA, modelB,
    optimizerA: new optim.Adam(modelA.parameters(), { lr: 0.002, betas: [0.5, 0.999] }),
    optimizerB: new optim.Adam(modelB.parameters(), { lr: 0.002, betas: [0.5, 0.999] }),
  };
}

/** One GAN step: the discriminator learns real (N(3, 0.5)) from fake, then the generator learns to fool it. */
function ganStep({ modelA, modelB, optimizerA, optimizerB }: Gan, real: torch.Tensor, noise: torch.Tensor): [number, number] {
  const ones = torch.ones(real.size(0), 1);
  const zeros = torch.zeros(real.size(0), 1);
  optimizerB.zeroGrad();
  const fake = modelA.forward(noise);
  const lossB = F.binaryCrossEntropyWithLogits(modelB.forward(real), ones)
    .add(F.binaryCrossEntropyWithLogits(modelB.forward(fake.detach()), zeros));
  lossB.backward();
  optimizerB.step();
  optimizerA.zeroGrad();
  const lossA = F.binaryCrossEntropyWithLogits(modelB.forward(fake), ones);
  lossA.backward();
  optimizerA.step();
  return [lossA.item() as number, lossB.item() as number];
}

function batches(count: number): [torch.Tensor, torch.Tensor][] {
  return Array.from({ length: count }, () => [torch.randn(32, 1).mul(0.5).add(3), torch.randn(32, 4)]);
}

function sameState(a: nn.Module, b: nn.Module): boolean {
  const sb = b.stateDict();
  return Object.entries(a.stateDict()).every(([k, v]) => v.equal(sb[k]));
}

/** Runs the section. */
export async function main(): Promise<void> {
  await withTempDir("05", async (dir) => {
    const PATH = join(dir, "gan.tar");
    torch.manualSeed(0);
    const gan = makeGan();
    for (const [real, noise] of batches(600)) ganStep(gan, real, noise);

    // ---- Save ----------------------------------------------------------------------------------
    await torch.save({
      modelA_state_dict: gan.modelA.stateDict(),
      modelB_state_dict: gan.modelB.stateDict(),
      optimizerA_state_dict: gan.optimizerA.stateDict(),
      optimizerB_state_dict: gan.optimizerB.stateDict(),
    }, PATH);

    // ---- Load ----------------------------------------------------------------------------------
    const restored = makeGan();
    const checkpoint = await torch.load(PATH);
    console.log("checkpoint keys:", pyRepr(Object.keys(checkpoint)));
    restored.modelA.loadStateDict(checkpoint.modelA_state_dict);
    restored.modelB.loadStateDict(checkpoint.modelB_state_dict);
    restored.optimizerA.loadStateDict(checkpoint.optimizerA_state_dict);
    restored.optimizerB.loadStateDict(checkpoint.optimizerB_state_dict);
    restored.modelA.eval();
    restored.modelB.eval();
    // - or -
    restored.modelA.train();
    restored.modelB.train();

    assert.ok(sameState(restored.modelA, gan.modelA) && sameState(restored.modelB, gan.modelB));
    const stepA = (checkpoint.optimizerA_state_dict.state as Map<number, { step: torch.Tensor }>).get(0)!.step;
    console.log(`optimizerA: Adam after ${String(stepA)} steps, param_groups[0].betas = ${pyRepr(checkpoint.optimizerA_state_dict.param_groups[0].betas)}`);
    assert.equal(stepA.item(), 600);

    // Both halves continue exactly as the original pair does.
    const more = batches(5);
    let losses: [number, number] = [0, 0];
    for (const [real, noise] of more) {
      losses = ganStep(gan, real, noise);
      assert.deepEqual(ganStep(restored, real, noise), losses);
    }
    assert.ok(sameState(restored.modelA, gan.modelA) && sameState(restored.modelB, gan.modelB));
    const samples = torch.noGrad(() => restored.modelA.forward(torch.randn(256, 4)));
    console.log(`5 more steps, identical in both copies: generator loss ${losses[0].toFixed(4)}, discriminator loss ${losses[1].toFixed(4)}`);
    console.log(`generator samples: mean ${(samples.mean().item() as number).toFixed(3)} (real data: mean 3)`);
  });
}

runIfMain(import.meta.url, main);
