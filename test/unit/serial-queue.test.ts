/**
 * The coordinator's serial queue (src/objects/coordinator/serialQueue.ts):
 * work runs one at a time in the order asked, and a failure rejects only its
 * own caller. Pure: no workerd bindings used.
 */
import { describe, expect, it } from 'vitest'
import { SerialQueue } from '../../src/objects/coordinator/serialQueue'

const tick = () => new Promise((resolve) => setTimeout(resolve, 1))

describe('a serial queue', () => {
  it('runs work one at a time, in the order asked', async () => {
    const queue = new SerialQueue()
    const events: string[] = []
    let running = 0
    const work = (name: string) => async () => {
      running++
      expect(running).toBe(1)
      events.push(`start ${name}`)
      await tick()
      events.push(`end ${name}`)
      running--
      return name
    }
    const answers = await Promise.all([queue.run(work('a')), queue.run(work('b')), queue.run(work('c'))])
    expect(answers).toEqual(['a', 'b', 'c'])
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('a failure rejects its own caller and the next work still runs', async () => {
    const queue = new SerialQueue()
    const failed = queue.run(async () => {
      throw new Error('boom')
    })
    const next = queue.run(async () => 'after')
    await expect(failed).rejects.toThrow('boom')
    await expect(next).resolves.toBe('after')
  })
})
