// A well-behaved worker SIP (values mode) that the attack target keeps beside the hostile ones: it must
// keep answering while they post garbage (class 7). Bundled with esbuild by the attack target.
import { proxy } from '@msc/eventual';
import { enableMessagePortValues } from '@msc/session';
import { runSip } from '@msc/sip';

enableMessagePortValues();

class Echo {
  async echo(value: unknown) {
    return value;
  }
}

runSip(() => proxy(new Echo()));
