// An NFS-like file store: whole-file writes by path, idempotent (writing the same bytes
// again changes nothing), so a client may repeat any operation after a lost reply.

export interface FileOp {
  f: "file.put";
  path: string;
  data: string;
}

export interface FileState {
  files: Record<string, string>;
}

export function emptyFiles(): FileState {
  return { files: {} };
}

export function applyFile(s: FileState, op: FileOp): void {
  s.files[op.path] = op.data;
}
