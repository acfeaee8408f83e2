using System.Globalization;
using Supervision.Engine.Escalation;
using Supervision.Host.Storage;

namespace Supervision.Host.Notices;

/// <summary>The words of one decided notice: for its recipients, or (<c>copy</c>) for those told as a copy (抄送).</summary>
internal delegate (string Subject, string Body) NoticeWording(bool copy);

/// <summary>A notice decided by <see cref="EscalationRules"/>, with its words.</summary>
internal sealed record OutgoingNotice(EscalationNotice Notice, NoticeWording Wording);

/// <summary>How many outbox rows were newly written: notices (inboxes and channels) and their copies by e-mail.</summary>
internal readonly record struct NoticeCount(int Notices, int Mails)
{
    /// <summary>Every row written.</summary>
    public int All => Notices + Mails;
}

/// <summary>
/// The fan-out of decided notices to people and channels, the one place it is done: each channel of a department
/// target gets a row keyed <c>cause:channel:address</c>; each active person holding a people target's role gets an
/// inbox row keyed <c>cause:user</c> and, when mail is set up and they have an address, an e-mail row keyed
/// <c>cause:user:email</c>. A person named by two targets of one notice is told once, by the first.
/// </summary>
internal static class NoticeFanOut
{
    /// <summary>Writes <paramref name="notices"/> inside the caller's transaction, each row unless its key was written before.</summary>
    public static Task<NoticeCount> WriteAsync(this NoticeStore store, UnitOfWork uow, IEnumerable<OutgoingNotice> notices, Audience audience, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(notices);
        return store.EnqueueManyAsync(uow, notices.SelectMany(n => Rows(n, audience, store.MailEnabled)).ToList(), cancellationToken);
    }

    /// <summary>The outbox rows of one notice, in its targets' order.</summary>
    public static IEnumerable<NewNotice> Rows(OutgoingNotice outgoing, Audience audience, bool mail)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        ArgumentNullException.ThrowIfNull(audience);
        var notice = outgoing.Notice;
        var kind = notice.Kind.Code();
        var itemId = notice.About?.ItemId;
        (string Subject, string Body)? plain = null, copied = null;
        var told = new HashSet<long>();
        foreach (var target in notice.To)
        {
            if (target is NoticeTarget.Channels channels)
            {
                foreach (var (channel, address) in audience.Channels[channels.DepartmentId])
                {
                    var (subject, body) = plain ??= outgoing.Wording(false);
                    yield return new NewNotice($"{notice.Cause}:{channel}:{address}", channel, kind, null, address, subject, body, itemId, notice.Event);
                }
            }
            else if (target is NoticeTarget.People people)
            {
                foreach (var (userId, email) in audience.People(people.DepartmentId, people.Role))
                {
                    if (!told.Add(userId))
                    {
                        continue;
                    }

                    var (subject, body) = people.Copy ? (copied ??= outgoing.Wording(true)) : (plain ??= outgoing.Wording(false));
                    var key = string.Create(CultureInfo.InvariantCulture, $"{notice.Cause}:{userId}");
                    yield return new NewNotice(key, "inbox", kind, userId, null, subject, body, itemId, notice.Event);
                    if (mail && !string.IsNullOrWhiteSpace(email))
                    {
                        yield return new NewNotice($"{key}:email", "email", kind, userId, email, subject, body, itemId, notice.Event);
                    }
                }
            }
        }
    }
}
