//! Pacing: the pure pacer with explicit instants, then the driver against a
//! virtual toy flooded with levels under paused time.

use std::time::Duration;

use cuedeck::toy::codec::{Command, Level};
use cuedeck::toy::device::{DriverConfig, spawn_toy};
use cuedeck::toy::pacing::{MIN_GAP, Next, Pacer, ReplyMatcher};
use cuedeck::toy::virtual_toy::VirtualToy;
use tokio::time::{Instant, sleep};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn vib(n: u8) -> Command {
    Command::Vibrate(Level::new(n).unwrap())
}

fn send(cmd: Command, queued: bool) -> Next {
    Next::Send { cmd, queued }
}

#[test]
fn first_goes_at_once_then_one_per_gap() {
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    assert_eq!(p.next(t0), Next::Idle);
    p.submit(vib(3));
    assert_eq!(p.next(t0), send(vib(3), false));
    p.submit(vib(4));
    assert_eq!(p.next(t0 + ms(40)), Next::WaitUntil(t0 + ms(100)));
    assert_eq!(p.next(t0 + ms(100)), send(vib(4), false));
}

#[test]
fn latest_wins_and_repeats_are_skipped() {
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    p.submit(vib(3));
    assert_eq!(p.next(t0), send(vib(3), false));
    for n in [5, 9, 12, 7] {
        p.submit(vib(n));
    }
    assert_eq!(p.next(t0 + ms(100)), send(vib(7), false));
    p.submit(vib(7));
    assert_eq!(
        p.next(t0 + ms(300)),
        Next::Idle,
        "identical to the last sent"
    );
    p.submit(vib(2));
    p.submit(vib(7));
    assert_eq!(p.next(t0 + ms(400)), Next::Idle, "back to what the toy has");
}

#[test]
fn queued_commands_keep_order_and_are_never_dropped() {
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    p.submit(Command::Battery);
    p.submit(Command::Battery);
    p.submit(vib(5));
    assert_eq!(p.next(t0), send(Command::Battery, true));
    assert_eq!(p.next(t0 + ms(100)), send(Command::Battery, true));
    assert_eq!(p.next(t0 + ms(200)), send(vib(5), false));
}

#[test]
fn motors_coalesce_separately() {
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    p.submit(Command::Rotate(Level::new(4).unwrap()));
    p.submit(vib(6));
    p.submit(Command::Rotate(Level::new(5).unwrap()));
    let a = p.next(t0);
    let b = p.next(t0 + ms(100));
    assert_eq!(
        [a, b],
        [
            send(vib(6), false),
            send(Command::Rotate(Level::new(5).unwrap()), false)
        ]
    );
}

#[test]
fn urgent_stop_skips_the_gap_unless_already_stopped() {
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    p.submit(vib(9));
    assert_eq!(p.next(t0), send(vib(9), false));
    p.submit(vib(11));
    p.stop_now();
    assert_eq!(p.next(t0 + ms(10)), send(vib(0), false));
    assert_eq!(
        p.next(t0 + ms(20)),
        Next::Idle,
        "the pending 11 was dropped"
    );
    p.stop_now();
    assert_eq!(p.next(t0 + ms(30)), Next::Idle, "already stopped");
}

#[test]
fn a_forgotten_stop_is_not_skipped() {
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    p.stop_now();
    assert_eq!(p.next(t0), send(vib(0), false));
    p.stop_now();
    assert_eq!(p.next(t0 + ms(1)), Next::Idle);
    // It never got an OK: after the retries the pacer stops believing it.
    p.forget(vib(0));
    p.stop_now();
    assert_eq!(p.next(t0 + ms(2)), send(vib(0), false));
}

#[test]
fn stop_zeroes_rotation_too() {
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    p.submit(Command::Rotate(Level::new(8).unwrap()));
    assert!(matches!(p.next(t0), Next::Send { .. }));
    p.stop_now();
    assert_eq!(p.next(t0 + ms(1)), send(vib(0), false));
    assert_eq!(
        p.next(t0 + ms(101)),
        send(Command::Rotate(Level::OFF), false)
    );
}

#[test]
fn matcher_gives_each_reply_to_the_oldest_of_its_kind() {
    use cuedeck::toy::codec::Reply;
    let t0 = Instant::now();
    let mut m: ReplyMatcher<u32> = ReplyMatcher::default();
    m.sent(vib(1), t0, 1);
    m.sent(Command::Battery, t0, 2);
    m.sent(vib(2), t0, 3);
    let battery = m
        .on_reply(
            &Reply::Battery {
                percent: 50,
                busy: true,
            },
            |_| true,
        )
        .unwrap();
    assert_eq!(battery.token, 2);
    assert_eq!(m.on_reply(&Reply::Ok, |_| true).unwrap().token, 1);
    assert!(
        m.on_reply(
            &Reply::Battery {
                percent: 50,
                busy: false
            },
            |_| true
        )
        .is_none()
    );
    // Skips a request whose asker gave up, if a live one fits.
    m.sent(vib(3), t0, 4);
    assert_eq!(m.on_reply(&Reply::Ok, |t| *t != 3).unwrap().token, 4);
    let expired = m.expire(t0 + ms(1000), ms(1000));
    assert_eq!(expired.iter().map(|p| p.token).collect::<Vec<_>>(), [3]);
    assert!(m.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_flood_of_levels_goes_out_at_ten_per_second_latest_winning() {
    let (transport, toy_ctl) = VirtualToy::lush("LVS-S11");
    let (toy, _events) = spawn_toy(Box::new(transport), DriverConfig::default()).unwrap();
    let t0 = Instant::now();
    // 200 level changes in 2 s, every 10 ms.
    for i in 0..200u32 {
        toy.set_level(Level::new((i % 20 + 1) as u8).unwrap());
        sleep(ms(10)).await;
    }
    toy.set_level(Level::new(17).unwrap());
    sleep(ms(500)).await;
    let writes = toy_ctl.timed_writes();
    let times: Vec<Instant> = writes.iter().map(|(t, _)| *t).collect();
    assert!(
        times.windows(2).all(|w| w[1] - w[0] >= MIN_GAP),
        "{writes:?}"
    );
    let motion = writes
        .iter()
        .filter(|(_, w)| w.starts_with("Vibrate"))
        .count();
    assert!(
        (19..=22).contains(&motion),
        "{motion} level writes in ~2.1 s"
    );
    assert_eq!(
        writes.first().unwrap().0,
        t0,
        "the first command goes at once"
    );
    assert_eq!(writes.last().unwrap().1, "Vibrate:17;", "latest wins");
    assert_eq!(toy_ctl.intensity(), 17);
}

#[test]
fn single_motor_zeros_follow_a_stop_even_when_stopped_twice() {
    use cuedeck::toy::codec::Motor;
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    let m = |motor, n| Command::VibrateMotor(motor, Level::new(n).unwrap());
    p.submit(m(Motor::One, 13));
    p.submit(m(Motor::Two, 13));
    assert_eq!(p.next(t0), send(m(Motor::One, 13), false));
    assert_eq!(p.next(t0 + ms(100)), send(m(Motor::Two, 13), false));
    p.stop_now();
    p.stop_now();
    assert_eq!(p.next(t0 + ms(110)), send(vib(0), false));
    // A second stop after `Vibrate:0;` went out: the motors still get theirs.
    p.stop_now();
    assert_eq!(p.next(t0 + ms(111)), send(vib(0), false));
    assert_eq!(p.next(t0 + ms(211)), send(m(Motor::One, 0), false));
    assert_eq!(p.next(t0 + ms(311)), send(m(Motor::Two, 0), false));
    assert_eq!(p.next(t0 + ms(411)), Next::Idle);
}

#[test]
fn no_motor_starves_when_levels_change_every_gap() {
    use cuedeck::toy::codec::Motor;
    let t0 = Instant::now();
    let mut p = Pacer::new(MIN_GAP);
    let m = |motor, n| Command::VibrateMotor(motor, Level::new(n).unwrap());
    let mut sent_two = 0;
    for k in 0..10u8 {
        p.submit(m(Motor::One, k + 1));
        p.submit(m(Motor::Two, k + 1));
        if let Next::Send {
            cmd: Command::VibrateMotor(Motor::Two, _),
            ..
        } = p.next(t0 + ms(100 * u64::from(k)))
        {
            sent_two += 1;
        }
    }
    assert!(
        sent_two >= 4,
        "motor 2 went out {sent_two} times in 10 gaps"
    );
}
