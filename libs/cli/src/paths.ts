import path from 'node:path';

/**
 * The folder the user typed the command in. `nx run` runs a target in its project folder, but
 * npm/npx set INIT_CWD to the user's folder; the binary (and tsx run directly) runs there.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return env['INIT_CWD'] && env['INIT_CWD'] !== '' ? env['INIT_CWD'] : cwd;
}

export function resolveUserPath(p: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(userCwd(env), p);
}
