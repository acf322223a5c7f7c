/** A minimal `torch.utils.data`: datasets, collation, and a seeded, checkpointable DataLoader. */
export { type Dataset, TensorDataset } from "./dataset.ts";
export { type Collated, defaultCollate, gatherRows, stackInto } from "./collate.ts";
export { DataLoader, type DataLoaderOptions, type DataLoaderState } from "./dataloader.ts";
export { randomPermutation, sequentialOrder } from "./sampler.ts";
export { makeShapesDataset, SHAPE_CLASSES, type ShapesDataset, type ShapesDatasetOptions, drawShapes } from "./synthetic-shapes.ts";
