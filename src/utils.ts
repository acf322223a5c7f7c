/** `torch.utils`: `torch.utils.data` (Dataset, TensorDataset, DataLoader, the synthetic shapes data set). */
export * as data from "./data/index.ts";
