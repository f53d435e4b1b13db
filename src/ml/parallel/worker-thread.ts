/**
 * Starts the worker threads salescast computes on (histograms, batch forecasts). Every thread is
 * started here so that each gets its optimizing compiles on its own thread, not on V8's shared
 * background threads.
 *
 * Why: Node 20 takes a stopping thread's isolate off its platform before disposing of it. An
 * optimizing compile still running for that isolate in the background may then ask the platform
 * for the isolate's task runner, and Node aborts the whole process
 * (`NodePlatform::ForIsolate … Assertion failed: (data.first) != nullptr`). Later Node versions
 * dispose of the isolate first. A thread that compiles on itself has no such compile left when
 * it stops. V8 reads the flag when it creates an isolate, so the process's main thread, created
 * before, keeps compiling in the background.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let compilesOnItsOwnThread = false;

export function startWorkerThread(script: string | URL, options: WorkerOptions): Worker {
  if (!compilesOnItsOwnThread) {
    setFlagsFromString('--no-concurrent-recompilation');
    compilesOnItsOwnThread = true;
  }
  return new Worker(script, options);
}
