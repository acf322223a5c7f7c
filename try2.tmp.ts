import { runPython } from "./test/helpers/pytorch.ts";
const e = runPython<any>("checkpoint_io.py", { cmd: "save", dir: "/tmp", cases: ["views", "parameters", "meta"], legacy: false });
console.log(JSON.stringify(e.views.dict.slice(0, 3)).slice(0, 600));
console.log(JSON.stringify(e.views.dict.map(([k, v]: any) => [k.str, v.tensor.storage, v.tensor.offset, v.tensor.stride])));
console.log(JSON.stringify(e.parameters).slice(0, 1500));
console.log(JSON.stringify(e.meta));
