//! A small interpreter for linked Mini-C executables. The workloads do not need it (nothing
//! runs the programs pmake builds), but the tests do: compiling a program, linking it and
//! running it here checks the whole tool chain, optimiser included, against known answers.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::object::{BINOPS, Executable, Op, UNOPS};

/// Why a run stopped without a result.
#[derive(Debug, PartialEq, Eq)]
pub enum Trap {
    /// More instructions than allowed.
    OutOfFuel,
    /// Calls nested too deeply.
    StackOverflow,
    /// Broken code: bad opcode, jump out of range, bad slot or data index...
    Fault(String),
}

/// Limit on nested calls.
const MAX_FRAMES: usize = 10_000;

/// Runs `main` of `exe` with `args`; at most `fuel` instructions.
pub fn run(exe: &Executable, args: &[i32], mut fuel: u64) -> Result<i32, Trap> {
    let code = &exe.code;
    let mut data = exe.data.clone();
    let mut stack: Vec<i32> = args.to_vec();
    // (return address, first slot of the frame); usize::MAX returns from main.
    let mut frames: Vec<(usize, usize)> = vec![(usize::MAX, 0)];
    let mut pending_args = args.len();
    let mut pc = exe.entry as usize;
    let fault = |msg: &str, pc: usize| Trap::Fault(alloc::format!("{msg} at {pc:#x}"));
    loop {
        if fuel == 0 {
            return Err(Trap::OutOfFuel);
        }
        fuel -= 1;
        let at = pc;
        let op =
            code.get(pc).copied().and_then(Op::from_byte).ok_or_else(|| fault("bad opcode", at))?;
        let operand = |n: usize| -> Result<&[u8], Trap> {
            code.get(at + 1..at + 1 + n).ok_or_else(|| fault("truncated instruction", at))
        };
        let u16_at = |b: &[u8]| usize::from(u16::from_le_bytes([b[0], b[1]]));
        let i32_at = |b: &[u8]| i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let base = frames.last().map_or(0, |f| f.1);
        let pop = |stack: &mut Vec<i32>| stack.pop().ok_or_else(|| fault("stack underflow", at));
        match op {
            Op::Enter => {
                let b = operand(4)?;
                let (params, locals) = (u16_at(b), u16_at(&b[2..]));
                if params != pending_args || locals < params {
                    return Err(fault("wrong number of arguments", at));
                }
                stack.resize(base + locals, 0);
                pc += 5;
            }
            Op::Push => {
                stack.push(i32_at(operand(4)?));
                pc += 5;
            }
            Op::Load | Op::Store => {
                let slot = base + u16_at(operand(2)?);
                if slot >= stack.len() {
                    return Err(fault("bad local slot", at));
                }
                if op == Op::Load {
                    stack.push(stack[slot]);
                } else {
                    let v = pop(&mut stack)?;
                    *stack.get_mut(slot).ok_or_else(|| fault("bad local slot", at))? = v;
                }
                pc += 3;
            }
            Op::GLoad | Op::GStore => {
                let index = i32_at(operand(4)?) as u32 as usize;
                if index >= data.len() {
                    return Err(fault("bad data index", at));
                }
                if op == Op::GLoad {
                    stack.push(data[index]);
                } else {
                    data[index] = pop(&mut stack)?;
                }
                pc += 5;
            }
            Op::Call => {
                let b = operand(5)?;
                let argc = usize::from(b[4]);
                if frames.len() >= MAX_FRAMES {
                    return Err(Trap::StackOverflow);
                }
                let first =
                    stack.len().checked_sub(argc).ok_or_else(|| fault("stack underflow", at))?;
                frames.push((pc + 6, first));
                pending_args = argc;
                pc = i32_at(b) as u32 as usize;
            }
            Op::Ret => {
                let v = pop(&mut stack)?;
                let (ret, first) =
                    frames.pop().ok_or_else(|| fault("return without a frame", at))?;
                if ret == usize::MAX {
                    return Ok(v);
                }
                stack.truncate(first);
                stack.push(v);
                pc = ret;
            }
            Op::Pop => {
                pop(&mut stack)?;
                pc += 1;
            }
            Op::Jmp | Op::Jz | Op::Jnz => {
                let rel = i32_at(operand(4)?);
                let taken = match op {
                    Op::Jmp => true,
                    Op::Jz => pop(&mut stack)? == 0,
                    _ => pop(&mut stack)? != 0,
                };
                pc += 5;
                if taken {
                    pc = (pc as i64 + i64::from(rel)) as usize;
                }
            }
            Op::Bin => {
                let bin = *BINOPS
                    .get(usize::from(operand(1)?[0]))
                    .ok_or_else(|| fault("bad operator", at))?;
                let b = pop(&mut stack)?;
                let a = pop(&mut stack)?;
                stack.push(bin.apply(a, b));
                pc += 2;
            }
            Op::Un => {
                let un = *UNOPS
                    .get(usize::from(operand(1)?[0]))
                    .ok_or_else(|| fault("bad operator", at))?;
                let a = pop(&mut stack)?;
                stack.push(un.apply(a));
                pc += 2;
            }
        }
    }
}
