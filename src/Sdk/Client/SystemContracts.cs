namespace Chain.Sdk.Client;

/// <summary>The node's own contracts on every channel: the channel configuration and the account enrolments.</summary>
public static class SystemContracts
{
    /// <summary>Reads (<c>get</c>) and updates (<c>update</c>, by the admins policy) the channel configuration.</summary>
    public const string Config = "_config";

    /// <summary>Enrols (<c>enroll</c>), revokes (<c>revoke</c>) and reads (<c>get</c>) accounts.</summary>
    public const string Members = "_members";
}
