// Errors a user can act on. The CLI prints their message as one line and exits with their
// code; anything else is a bug and keeps its stack trace.

/** Exit codes: 2 bad input, 3 no Docker engine, 4 a build tool is missing, 1 anything else. */
export const ExitCode = { failure: 1, usage: 2, noEngine: 3, missingTool: 4 } as const;

export class LabError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
  ) {
    super(message);
    this.name = "LabError";
  }
}

/** Bad input: names the field and, where there is a list, the allowed values. */
export class UsageError extends LabError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = "UsageError";
  }
}

export class EngineUnavailable extends LabError {
  constructor(where: string, cause: string) {
    super(
      `no Docker engine answers at ${where} (${cause}); start one: 'sudo scripts/ensure-docker.sh' on Debian/Ubuntu, or 'sudo systemctl start docker'`,
      ExitCode.noEngine,
    );
    this.name = "EngineUnavailable";
  }
}

export class MissingTool extends LabError {
  constructor(tool: string, debianPackage: string, why: string) {
    super(`${tool} is missing (${why}); install it: 'apt-get install ${debianPackage}'`, ExitCode.missingTool);
    this.name = "MissingTool";
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
