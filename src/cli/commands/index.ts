import type { Command } from 'commander';
import { registerCompare } from './compare.ts';
import { registerGrade } from './grade.ts';
import { registerPower } from './power.ts';
import { registerReport } from './report.ts';
import { registerRun } from './run.ts';
import { registerSim } from './sim.ts';

/** Every CLI command registers itself on the program; add new commands here. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerRun, registerReport, registerCompare, registerGrade, registerSim, registerPower];
