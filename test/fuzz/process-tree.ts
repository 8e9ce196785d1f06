import { readFileSync, readdirSync } from 'node:fs';

/** A process of the server's group, as /proc shows it. */
export interface ProcessSample {
  readonly pid: number;
  readonly rssBytes: number;
}

/**
 * The processes of a process group (the trent primary leads its own, its workers are in it) with their resident
 * memory, read from /proc: the fuzzer watches that the pids never change (no worker died and was replaced) and
 * that memory stays bounded.
 */
export function sampleGroup(groupId: number): ProcessSample[] {
  const samples: ProcessSample[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state ppid pgrp ...
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== groupId) continue;
      const rssKb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'latin1'))?.[1];
      samples.push({ pid: Number(entry), rssBytes: Number(rssKb ?? 0) * 1024 });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return samples.sort((a, b) => a.pid - b.pid);
}
