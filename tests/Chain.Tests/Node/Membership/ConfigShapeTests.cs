using Chain.Contracts.Abstractions;
using Chain.Node.Membership;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Node.Membership;

public class ConfigShapeTests
{
    [Fact]
    public void RevokedSerials_AreHexSerialNumbers()
    {
        var config = TestNetwork.Config();
        config.Organizations[0].RevokedSerials.Add("0A1b2C3d4E5f");
        ConfigShape.Validate(config);

        config.Organizations[0].RevokedSerials.Add("not-a-serial");
        var refused = Assert.Throws<ContractException>(() => ConfigShape.Validate(config));
        Assert.Equal($"proposed configuration: organisation '{config.Organizations[0].Name}' revokes 'not-a-serial', which is not a certificate serial number (hex digits)", refused.Message);
    }
}
